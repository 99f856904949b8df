package post

import (
	"testing"

	"github.com/flintads/flint/internal/model"
)

func TestIneligibility(t *testing.T) {
	eligible := func() model.Post {
		return model.Post{Visibility: model.Public, Original: true}
	}
	cases := map[string]struct {
		ct     model.CreatorType
		change func(p *model.Post)
		want   string
	}{
		"business account, no music":     {model.CreatorBusiness, func(*model.Post) {}, ""},
		"creator account, no music":      {model.CreatorCreator, func(*model.Post) {}, ""},
		"commercial music":               {model.CreatorCreator, func(p *model.Post) { p.Music = &model.Music{Title: "t", Commercial: true} }, ""},
		"own sound":                      {model.CreatorCreator, func(p *model.Post) { p.Music = &model.Music{Title: "mine", Own: true} }, ""},
		"personal account":               {model.CreatorPersonal, func(*model.Post) {}, CodeNotBusinessAccount},
		"unknown account type":           {"", func(*model.Post) {}, CodeNotBusinessAccount},
		"friends only":                   {model.CreatorBusiness, func(p *model.Post) { p.Visibility = model.Friends }, CodePostNotPublic},
		"private":                        {model.CreatorBusiness, func(p *model.Post) { p.Visibility = model.Private }, CodePostNotPublic},
		"not original":                   {model.CreatorBusiness, func(p *model.Post) { p.Original = false }, CodePostNotOriginal},
		"copyrighted music":              {model.CreatorBusiness, func(p *model.Post) { p.Music = &model.Music{Title: "hit"} }, CodeMusicNotCommercial},
		"deleted":                        {model.CreatorBusiness, func(p *model.Post) { p.Deleted = true }, CodePostDeleted},
		"deleted wins over personal":     {model.CreatorPersonal, func(p *model.Post) { p.Deleted = true }, CodePostDeleted},
		"personal wins over private":     {model.CreatorPersonal, func(p *model.Post) { p.Visibility = model.Private }, CodeNotBusinessAccount},
		"private wins over not original": {model.CreatorBusiness, func(p *model.Post) { p.Visibility = model.Private; p.Original = false }, CodePostNotPublic},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := eligible()
			c.change(&p)
			if got := Ineligibility(c.ct, &p); got != c.want {
				t.Fatalf("Ineligibility = %q, want %q", got, c.want)
			}
			err := CheckEligible(c.ct, &p)
			if (err == nil) != (c.want == "") {
				t.Fatalf("CheckEligible = %v, want code %q", err, c.want)
			}
		})
	}
}
