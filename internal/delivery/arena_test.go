package delivery

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTextArenaPacksAndClips packs texts across block boundaries and reads
// each back; a text too long for its field ends (which validated input
// cannot make) loses the end of its caption, at a character boundary,
// instead of crashing the writer or garbling its fields.
func TestTextArenaPacksAndClips(t *testing.T) {
	var a textArena
	type packed struct {
		en     *entry
		fields [textFields]string
	}
	var all []packed
	for i := range 400 { // about 3 blocks
		var fields [textFields]string
		for f := range fields {
			fields[f] = strings.Repeat(string(rune('a'+f)), (i*7+f*13)%60)
		}
		en := new(entry)
		en.text, en.ends = a.pack(fields)
		all = append(all, packed{en, fields})
	}
	if len(a.blocks) < 2 {
		t.Fatalf("%d blocks, want texts across several", len(a.blocks))
	}
	v := a.view()
	for i, p := range all {
		text := v.of(p.en)
		for f := range p.fields {
			if got := p.en.field(text, f); got != p.fields[f] {
				t.Fatalf("text %d field %d = %q, want %q", i, f, got, p.fields[f])
			}
		}
	}

	var long [textFields]string
	long[tAdID] = "ad_1"
	long[tCaption] = strings.Repeat("é", 40_000) // 80,000 bytes
	long[tCTAURL] = "https://shop.example/"
	var en entry
	en.text, en.ends = a.pack(long)
	text := a.view().of(&en)
	if len(text) > maxText {
		t.Fatalf("packed text of %d bytes, want at most %d", len(text), maxText)
	}
	caption := en.field(text, tCaption)
	if !utf8.ValidString(caption) || !strings.HasPrefix(long[tCaption], caption) || len(caption) < maxText-100 {
		t.Errorf("clipped caption of %d bytes (valid UTF-8: %v), want a prefix of the caption close to %d bytes",
			len(caption), utf8.ValidString(caption), maxText)
	}
	if en.field(text, tAdID) != "ad_1" || en.field(text, tCTAURL) != "https://shop.example/" {
		t.Errorf("other fields changed: ad %q, URL %q", en.field(text, tAdID), en.field(text, tCTAURL))
	}
}
