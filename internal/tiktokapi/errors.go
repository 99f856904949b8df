package tiktokapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/post"
)

// TikTok's error codes (python_sdk tiktok_code.py), as docs/TIKTOK.md maps
// Flint's errors onto them.
const (
	codePermission   = 40001 // PERMISSION_ERROR: not the caller's advertiser, or a code bound to another
	codeParam        = 40002 // PARAM_ERROR: missing or invalid input, a rule broken
	codeNotExist     = 40007 // NOT_EXIST: no such object (or another advertiser's)
	codeTooFrequent  = 40100 // REQUEST_TOO_FREQUENT
	codeEmptyToken   = 40104 // EMPTY_ACCESS_TOKEN
	codeInvalidToken = 40105 // INVALID_ACCESS_TOKEN
	codeConflict     = 40202 // WRITE_CONFLICT
	codeSysError     = 50000 // SYS_ERROR
)

// tiktokError is an error already in TikTok's terms.
type tiktokError struct {
	code int
	msg  string
}

func (e *tiktokError) Error() string { return fmt.Sprintf("%d: %s", e.code, e.msg) }

// paramErr is a PARAM_ERROR with TikTok's wording.
func paramErr(format string, args ...any) error {
	return &tiktokError{code: codeParam, msg: fmt.Sprintf(format, args...)}
}

// missing reports a required field as TikTok words it.
func missing(field string) error {
	return &tiktokError{code: codeParam, msg: field + ": Missing data for required field."}
}

// notYours is the answer to an advertiser_id the token does not own,
// whether or not it exists.
func notYours() error {
	return &tiktokError{code: codePermission,
		msg: "No permission to operate advertiser: the access token does not own this advertiser_id."}
}

// notExist is the answer to an object id that names nothing of the caller's.
func notExist(what string, id string) error {
	return &tiktokError{code: codeNotExist, msg: fmt.Sprintf("%s %s does not exist.", what, truncate(id, 40))}
}

// sparkMessages are the Spark code errors in the words of TikTok's Ads
// Manager (its UI codes in the message), with the API codes clients handle.
var sparkMessages = map[string]struct {
	code int
	msg  string
}{
	authorization.CodeMalformed: {codeParam, "auth_code_format_error (4013): The post code is incorrect."},
	authorization.CodeNotFound:  {codeNotExist, "auth_code_not_found: The code does not exist."},
	authorization.CodeRevoked:   {codeNotExist, "auth_code_not_found: The code has been deleted."},
	authorization.CodeExpired:   {codeParam, "auth_code_expired (4025): Authorization expired."},
	authorization.CodeNotForYou: {codePermission, "No permission to operate: this code is bound to another advertiser."},
}

// fieldNames maps Flint's field names to the names this surface uses.
var fieldNames = map[string]string{
	"name": "", "objective": "objective_type", "budget_mode": "budget_mode", "budget": "budget",
	"bid": "bid_price", "billing_event": "billing_event", "pacing": "pacing", "status": "operation_status",
	"start_time": "schedule_start_time", "end_time": "schedule_end_time", "targeting.countries": "location_ids",
	"targeting.age_min": "age_groups", "targeting.age_max": "age_groups", "targeting.genders": "gender",
	"targeting.languages": "languages", "targeting.os": "operating_systems", "frequency_cap.impressions": "frequency",
	"frequency_cap.days": "frequency_schedule", "cta.url": "landing_page_url", "cta.label": "call_to_action",
	"spark_post_id": "tiktok_item_id", "ad_group_id": "adgroup_id", "campaign_id": "campaign_id", "code": "auth_code",
}

// tiktokField is TikTok's name of a native field (itself when TikTok has
// none, "" when TikTok's message names no field).
func tiktokField(native string) string {
	if field, known := fieldNames[native]; known {
		return field
	}
	return native
}

// translate turns an error into TikTok's code and message. Domain errors
// keep their message; anything else is logged and answered SYS_ERROR.
func (a *API) translate(r *http.Request, err error) (int, string) {
	var te *tiktokError
	if errors.As(err, &te) {
		return te.code, te.msg
	}
	e, ok := apperr.As(err)
	if !ok {
		if ctxErr := r.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return codeSysError, "The request was cancelled."
		}
		a.Log.ErrorContext(r.Context(), "internal error", "surface", "tiktok", "path", r.URL.Path, "err", err)
		return codeSysError, "System error: it has been logged."
	}
	if s, ok := sparkMessages[e.Code]; ok {
		return s.code, s.msg
	}
	switch e.Code {
	case authorization.CodePostUnavailable, campaign.ReasonPostUnavailable:
		if strings.Contains(e.Message, post.CodePostDeleted) {
			return codeParam, "video_deleted (4002): The post has been deleted. " + e.Message
		}
		return codeParam, "video_unavailable (4002): The post cannot run as a Spark ad. " + e.Message
	}
	msg := e.Message
	if field := tiktokField(e.Field); field != "" {
		msg = field + ": " + msg
	}
	switch e.Kind {
	case apperr.Forbidden:
		return codePermission, msg
	case apperr.NotFound:
		return codeNotExist, msg
	case apperr.Conflict:
		return codeConflict, msg
	case apperr.RateLimited:
		return codeTooFrequent, "App reaches the QPS limit. " + msg
	case apperr.Unauthenticated:
		return codeInvalidToken, "Access token is incorrect or has been revoked."
	case apperr.Unavailable:
		return codeSysError, "System error: storage is unavailable; try again. " + msg
	}
	return codeParam, msg // Invalid, Unprocessable, TooLarge
}
