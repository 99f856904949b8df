package web

import (
	"strings"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/session"
)

// The UI's words for the domain's codes: what a creator or a brand reads,
// in the seed's language. A code without words here shows the domain's own
// message.

// ineligibleWords says why a post cannot be authorized for ads.
var ineligibleWords = map[string]string{
	post.CodeNotBusinessAccount: "Switch to a Business or Creator account to authorize ads. Personal accounts don't have Ad settings.",
	post.CodePostNotPublic:      "Only public posts can be authorized for ads. Make this post public to turn on ad authorization.",
	post.CodePostNotOriginal:    "Only your own original content can be authorized for ads. This post isn't marked as original.",
	post.CodeMusicNotCommercial: "This post uses music that isn't in the commercial music library, so it can't be used in ads.",
	post.CodePostDeleted:        "This post has been deleted.",
}

// codeWords says what went wrong with a pasted ad code.
var codeWords = map[string]string{
	authorization.CodeMalformed: "That doesn't look like a complete ad code. Check that it was copied in full: codes start with FLINT-.",
	authorization.CodeNotFound:  "No post has this ad code. Check it with the creator, or ask them to generate a new one.",
	authorization.CodeExpired:   "This ad code has expired. Ask the creator to extend the authorization or send a new code.",
	authorization.CodeRevoked:   "The creator revoked this ad code. Ask them to turn ad authorization on again and send a new code.",
	authorization.CodeNotForYou: "This ad code was made for another advertiser, or has been used as many times as the creator allowed.",
	authorization.CodePostUnavailable: "The post behind this code can't run as a Spark ad right now " +
		"(it may have been made private or deleted).",
	apperr.CodeRateLimited: "Too many attempts. Wait a minute, then try again.",
}

// otherWords covers the rest of the codes a form can meet.
var otherWords = map[string]string{
	account.CodeLoginFailed:             "That email or handle and password don't match an account.",
	session.CodeLoginThrottle:           "Too many login attempts. Wait a minute, then try again.",
	authorization.CodeTermsNotAccepted:  "Accept the Advertising Terms of Service to turn on ad authorization.",
	authorization.CodeAlreadyAuthorized: "Ad authorization is already on with another period. Extend it instead, or turn it off and on again.",
	authorization.CodeAuthorizationOff:  "Ad authorization is off for this post. Turn it on first.",
	authorization.CodeAuthRevoked:       "Ad authorization was turned off. Turn it on again to start a new period.",
	authorization.CodeAuthExpired:       "The authorization period has ended. Extend it, or turn ad authorization on again.",
	authorization.CodeNotStarted:        "The authorization period starts when you generate the first code.",
	authorization.CodeUnknownAdvertiser: "Choose an advertiser from the list.",
	campaign.CodeBudgetRequired:         "Set a budget here or on the campaign.",
	account.CodeEmailTaken:              "Another account uses this email.",
	account.CodeHandleTaken:             "Another account uses this handle.",
	apperr.CodeRateLimited:              "Too many attempts. Wait a minute, then try again.",
	authorization.CodeSparkPostInUse:    "An ad uses this post, so it stays in the library.",
	post.CodeNotCreator:                 "Choose a creator.",
}

// words returns what to show for a domain error: the words of its code, or
// its message with the API's field names in plain words.
func words(e *apperr.Error) string {
	for _, m := range []map[string]string{codeWords, ineligibleWords, otherWords} {
		if w, ok := m[e.Code]; ok && w != "" {
			return w
		}
	}
	return sentence(plainFields.Replace(apiPlaces.Replace(e.Message)))
}

// apiPlaces names the API's endpoints that domain messages point to by
// the part of the pages that does the same.
var apiPlaces = strings.NewReplacer(
	"upload it to /api/v1/imports/orders", "import it under Shopify orders",
	"upload it to /api/v1/imports/ad-spend", "import it under Other channels' spend",
	"(POST /api/v1/imports/ad-spend)", "(import its export under Data sources)")

// plainFields names the API's input fields the way a form's labels do.
var plainFields = strings.NewReplacer(
	"targeting.countries", "countries", "targeting.languages", "languages", "targeting.interests", "interests",
	"targeting.genders", "genders", "targeting.os", "operating systems", "targeting.age_min", "the youngest age",
	"targeting.age_max", "the oldest age", "age_min", "the youngest age", "age_max", "the oldest age",
	"frequency_cap.impressions", "the frequency cap", "frequency_cap.days", "the frequency cap's days",
	"frequency_cap", "the frequency cap", "billing_event", "the billing event", "budget_mode", "the budget type",
	"start_time", "the start", "end_time", "the end", "cta.url", "the landing page URL", "cta.label",
	"the call to action", "spark_post_id", "the post", "campaign_id", "the campaign", "ad_group_id", "the ad group",
	"click_window_days", "the click window", "utm_campaigns", "the utm_campaign mappings",
	"discount_codes", "the discount code mappings", "webhook_secret", "the webhook secret")

// missingWords say what to do about a required field left empty, by form
// field.
var missingWords = map[string]string{
	"campaign.name":    "Give the campaign a name.",
	"ad_group.name":    "Give the ad group a name.",
	"ad.spark_post_id": "Select a post from your library.",
	"ad.url":           "Enter the landing page URL, starting with https://.",
	"ad.cta":           "Choose a call to action.",
	"campaign.budget":  "Enter the budget, or choose no campaign budget.",
	"ad_group.budget":  "Enter the budget, or let the campaign budget pay.",
	"ad_group.bid":     "Enter your bid.",
}

// fieldWords returns what to show under form field name for e.
func fieldWords(name string, e *apperr.Error) string {
	if e.Code == apperr.CodeMissingField {
		if w := missingWords[name]; w != "" {
			return w
		}
	}
	if strings.HasSuffix(name, "spark_post_id") {
		if w := sparkPostWords[e.Code]; w != "" {
			return w
		}
	}
	return words(e)
}

// sparkPostWords says why a library post cannot go into a new ad.
var sparkPostWords = map[string]string{
	campaign.ReasonRevoked:         "The creator revoked the authorization of this post. Choose another post.",
	campaign.ReasonExpired:         "The authorization of this post has expired. Choose another post.",
	campaign.ReasonPostUnavailable: "This post can't run as a Spark ad right now. Choose another post.",
}

// libraryWords names a Spark post's status.
var libraryWords = map[model.LibraryStatus]string{
	model.LibraryAuthorized:      "Authorized",
	model.LibraryExpired:         "Expired",
	model.LibraryRevoked:         "Revoked",
	model.LibraryPostUnavailable: "Post unavailable",
}

// reasonWords says why an ad is not serving.
var reasonWords = map[string]string{
	campaign.ReasonDisabled:        "Paused: turned off",
	campaign.ReasonSchedule:        "Not delivering: outside its schedule",
	campaign.ReasonBudget:          "Paused: the budget is spent",
	campaign.ReasonRevoked:         "Paused: the creator revoked the authorization",
	campaign.ReasonExpired:         "Paused: the authorization expired",
	campaign.ReasonPostUnavailable: "Paused: the post is no longer available",
}
