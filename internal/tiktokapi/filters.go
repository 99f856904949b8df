package tiktokapi

import (
	"slices"
	"strings"
)

// filtering is a get call's filtering object.
type filtering map[string]any

// filters reads the filtering parameter (an object in any spelling).
func (c *call) filters() (filtering, error) {
	v, ok, err := c.object("filtering")
	if err != nil || !ok {
		return filtering{}, err
	}
	m, isObject := v.(map[string]any)
	if !isObject {
		return nil, paramErr("filtering: must be a JSON object")
	}
	return filtering(m), nil
}

// ids returns the numeric ids a filter lists; given is false when the
// filter is absent. Values that are not ids Flint makes match nothing.
func (f filtering) ids(name string) (set map[int64]bool, given bool, err error) {
	v, ok := f[name]
	if !ok || v == nil {
		return nil, false, nil
	}
	list, err := listOf(v)
	if err != nil {
		return nil, true, paramErr("filtering.%s: %s", name, err)
	}
	set = map[int64]bool{}
	for _, s := range list {
		if n, ok := number(s); ok {
			set[n] = true
		}
	}
	return set, true, nil
}

// keepID reports whether n passes an ids filter.
func keepID(set map[int64]bool, given bool, n int64) bool { return !given || set[n] }

// statuses reads a status filter (a value or a list of values).
func (f filtering) statuses(name string) ([]string, error) {
	v, ok := f[name]
	if !ok || v == nil {
		return nil, nil
	}
	if s, isText := v.(string); isText && !strings.HasPrefix(strings.TrimSpace(s), "[") {
		return []string{strings.TrimSpace(s)}, nil
	}
	list, err := listOf(v)
	if err != nil {
		return nil, paramErr("filtering.%s: %s", name, err)
	}
	return list, nil
}

// keepStatus applies primary_status and secondary_status filters to an
// object whose secondary status is secondary. Flint never deletes
// campaigns, ad groups or ads (they are switched off), so STATUS_DELETE
// and *_STATUS_DELETE match nothing, and STATUS_ALL, STATUS_NOT_DELETE and
// *_STATUS_ALL match everything.
func keepStatus(primary, secondaryFilter []string, secondary string) bool {
	for _, p := range primary {
		if p == "STATUS_DELETE" {
			return false
		}
	}
	if len(secondaryFilter) == 0 {
		return true
	}
	for _, s := range secondaryFilter {
		switch {
		case strings.HasSuffix(s, "_STATUS_ALL"), strings.HasSuffix(s, "_STATUS_NOT_DELETE"):
			return true
		case s == secondary:
			return true
		}
	}
	return false
}

// project keeps only the fields asked for (and the object's id).
func project(obj map[string]any, fields []string, id string) map[string]any {
	if len(fields) == 0 {
		return obj
	}
	for k := range obj {
		if k != id && !slices.Contains(fields, k) {
			delete(obj, k)
		}
	}
	return obj
}
