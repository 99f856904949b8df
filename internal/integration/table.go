// Package integration translates what other systems send Flint into domain
// values: Shopify's order export CSV and its orders/create webhook, and the
// spend exports of Meta Ads Manager, Google Ads and TikTok Ads Manager (and
// a generic spend CSV). Bytes in, values out: it stores nothing and knows
// nothing of HTTP.
//
// Files are read as streams, one record at a time, so their size does not
// decide the memory used. A file whose structure is broken (not text,
// unbalanced quotes, rows of the wrong width, the wrong kind of export) is
// an error that stops the reading; a row whose values are wrong is a
// RowError that names its physical line (the header is line 1) and lets
// the reading go on.
package integration

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/flintads/flint/internal/apperr"
)

// Error codes of refused files and rejected rows.
const (
	CodeNotText        = "FILE_NOT_TEXT"
	CodeMalformedCSV   = "CSV_MALFORMED"
	CodeEmptyFile      = "FILE_EMPTY"
	CodeWrongExport    = "WRONG_EXPORT"
	CodeMissingColumns = "MISSING_COLUMNS"
	CodeLineTooLong    = "LINE_TOO_LONG"
	CodeInvalidValue   = apperr.CodeInvalidValue
	CodeMissingValue   = apperr.CodeMissingField
)

// MaxLine is the longest physical line a file may have.
const MaxLine = 1 << 20

// RowError is a rejected row: its physical line and why.
type RowError struct {
	Line int
	Err  *apperr.Error
}

func (e *RowError) Error() string { return e.Err.Error() }

func rowError(line int, field, code, format string, args ...any) *RowError {
	return &RowError{Line: line, Err: apperr.Field(field, code, format, args...)}
}

// refuse returns the error that refuses a whole file.
func refuse(code, format string, args ...any) error {
	return apperr.New(apperr.Unprocessable, code, format, args...)
}

// textReader returns r decoded to UTF-8: a UTF-8 byte-order mark is
// dropped, UTF-16 (with its mark, as Excel-flavoured exports are) is
// decoded, and a NUL byte anywhere, or bytes that are not UTF-8, refuse the
// file as not text. Physical lines longer than MaxLine refuse it too.
func textReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(head) == 0 {
		return nil, refuse(CodeEmptyFile, "the file is empty")
	}
	var out io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		out = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	}
	return &textCheck{r: out}, nil
}

// textCheck passes text through, failing on NUL bytes, invalid UTF-8 and
// over-long lines.
type textCheck struct {
	r       io.Reader
	line    int // current physical line, from 1
	lineLen int
	carry   []byte // an incomplete UTF-8 sequence at the end of the last read
}

var errNotText = errors.New("not text")

func (t *textCheck) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.line == 0 {
		t.line = 1
	}
	chunk := p[:n]
	if bytes.IndexByte(chunk, 0) >= 0 {
		return 0, refuse(CodeNotText, "the file is not text (it holds NUL bytes near line %d); upload the CSV export itself", t.line)
	}
	check := chunk
	if len(t.carry) > 0 {
		check = append(t.carry, chunk...)
		t.carry = nil
	}
	// Keep an incomplete trailing sequence for the next read.
	if err == nil {
		for i := 1; i <= 3 && i <= len(check); i++ {
			c := check[len(check)-i]
			if c < 0x80 {
				break
			}
			if utf8.RuneStart(c) {
				if !utf8.FullRune(check[len(check)-i:]) {
					t.carry = append([]byte(nil), check[len(check)-i:]...)
					check = check[:len(check)-i]
				}
				break
			}
		}
	}
	if !utf8.Valid(check) {
		return 0, refuse(CodeNotText, "the file is not UTF-8 text (near line %d); export it as CSV (UTF-8)", t.line)
	}
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			t.lineLen += len(chunk)
			break
		}
		t.lineLen += i
		if t.lineLen > MaxLine {
			break
		}
		t.line++
		t.lineLen = 0
		chunk = chunk[i+1:]
	}
	if t.lineLen > MaxLine {
		return 0, refuse(CodeLineTooLong, "line %d is longer than %d bytes", t.line, MaxLine)
	}
	if errors.Is(err, io.EOF) && len(t.carry) > 0 {
		return 0, refuse(CodeNotText, "the file ends in the middle of a character")
	}
	return n, err
}

// table reads a CSV file record by record, knowing each record's physical
// line.
type table struct {
	r      *csv.Reader
	header []string
	cols   map[string]int // normalised header name → index
	line   int            // line of the last record read
	sep    rune
}

// newTable opens a CSV stream. sep 0 detects the separator from the first
// line (comma, semicolon or tab).
func newTable(r io.Reader) (*table, error) {
	text, err := textReader(r)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(text, 64<<10)
	sep, err := detectSeparator(br)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	return &table{r: cr, sep: sep}, nil
}

// detectSeparator picks comma, semicolon or tab: the one that occurs most
// in the busiest of the first lines (Google's exports start with preamble
// lines that have none).
func detectSeparator(br *bufio.Reader) (rune, error) {
	head, err := br.Peek(br.Size())
	if len(head) == 0 && err != nil {
		if e, ok := apperr.As(err); ok {
			return 0, e
		}
		if !errors.Is(err, io.EOF) {
			return 0, err
		}
	}
	sep, best := ',', 0
	for i, line := range bytes.SplitN(head, []byte{'\n'}, 6) {
		if i == 5 {
			break
		}
		counts := map[rune]int{',': bytes.Count(line, []byte{','}), ';': bytes.Count(line, []byte{';'}),
			'\t': bytes.Count(line, []byte{'\t'})}
		for _, c := range []rune{',', ';', '\t'} {
			if counts[c] > best {
				sep, best = c, counts[c]
			}
		}
	}
	return sep, nil
}

// next reads the next record; io.EOF at the end. Structural problems are
// errors that refuse the file.
func (t *table) next() ([]string, error) {
	rec, err := t.r.Read()
	if err != nil {
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		case errors.As(err, &pe):
			if e, ok := apperr.As(pe.Err); ok {
				return nil, e
			}
			what := "is not valid CSV"
			switch {
			case errors.Is(pe.Err, csv.ErrQuote):
				what = "has an unbalanced quote"
			case errors.Is(pe.Err, csv.ErrBareQuote):
				what = "has a quote inside an unquoted field"
			}
			return nil, refuse(CodeMalformedCSV, "line %d %s; nothing was imported", pe.StartLine, what)
		}
		if e, ok := apperr.As(err); ok {
			return nil, e
		}
		return nil, err
	}
	t.line, _ = t.r.FieldPos(0)
	if t.header != nil && len(rec) != len(t.header) && !(len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
		return nil, refuse(CodeMalformedCSV, "line %d has %d fields but the header has %d; nothing was imported",
			t.line, len(rec), len(t.header))
	}
	return rec, nil
}

// setHeader makes rec the header.
func (t *table) setHeader(rec []string) {
	t.header = rec
	t.cols = make(map[string]int, len(rec))
	for i, h := range rec {
		k := normalise(h)
		if _, dup := t.cols[k]; !dup {
			t.cols[k] = i
		}
	}
}

// col returns the index of the first of the names present, or -1.
func (t *table) col(names ...string) int {
	for _, n := range names {
		if i, ok := t.cols[n]; ok {
			return i
		}
	}
	return -1
}

// colPrefix returns the index and name of the first column whose
// normalised name starts with one of the prefixes, or -1.
func (t *table) colPrefix(prefixes ...string) (int, string) {
	for _, p := range prefixes {
		for i, h := range t.header {
			if n := normalise(h); strings.HasPrefix(n, p) {
				return i, n
			}
		}
	}
	return -1, ""
}

// normalise folds a header name: lower case, spaces collapsed.
func normalise(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimPrefix(s, "\ufeff"))), " ")
}

// blank reports whether every field of rec is empty.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// field returns rec[i] trimmed, or "" when i < 0.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
