package post

import (
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
)

// Eligibility error codes: one per reason a post cannot run as a Spark ad.
const (
	CodePostDeleted        = "POST_DELETED"
	CodeNotBusinessAccount = "NOT_BUSINESS_ACCOUNT"
	CodePostNotPublic      = "POST_NOT_PUBLIC"
	CodePostNotOriginal    = "POST_NOT_ORIGINAL"
	CodeMusicNotCommercial = "MUSIC_NOT_COMMERCIAL"
)

// Ineligibility returns the code of the first rule that keeps post p of a
// creator of type ct from running as a Spark ad, or "" when it may. The
// rules, in the order they are checked: the post exists (not deleted); the
// creator has a business or creator account; the post is public; it is the
// creator's original content; its music is absent, the creator's own, or in
// the commercial music library.
func Ineligibility(ct model.CreatorType, p *model.Post) string {
	switch {
	case p.Deleted:
		return CodePostDeleted
	case ct != model.CreatorBusiness && ct != model.CreatorCreator:
		return CodeNotBusinessAccount
	case p.Visibility != model.Public:
		return CodePostNotPublic
	case !p.Original:
		return CodePostNotOriginal
	case p.Music != nil && !p.Music.Own && !p.Music.Commercial:
		return CodeMusicNotCommercial
	}
	return ""
}

var eligibilityMessages = map[string]string{
	CodePostDeleted:        "the post has been deleted",
	CodeNotBusinessAccount: "only business and creator accounts can authorize ads; switch the account type first",
	CodePostNotPublic:      "only public posts can be authorized for ads",
	CodePostNotOriginal:    "only the creator's own original content can be authorized for ads",
	CodeMusicNotCommercial: "the post's music is not in the commercial music library",
}

// CheckEligible returns nil when the post may run as a Spark ad, or a 422
// error whose code says why not.
func CheckEligible(ct model.CreatorType, p *model.Post) error {
	code := Ineligibility(ct, p)
	if code == "" {
		return nil
	}
	return apperr.New(apperr.Unprocessable, code, "%s", eligibilityMessages[code])
}
