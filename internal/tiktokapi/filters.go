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

// idFilter is one ids filter of a get call.
type idFilter struct {
	set   map[int64]bool
	given bool // false: the filter is absent and keeps every id
}

// keep reports whether n passes the filter.
func (f idFilter) keep(n int64) bool { return !f.given || f.set[n] }

// getQuery is what campaign/get, adgroup/get and ad/get read alike: the
// page, the fields asked for, the filtering object, its ids filters and
// its status filters.
type getQuery struct {
	page, size         int
	fields             []string
	filter             filtering
	ids                map[string]idFilter // by filter name; absent ones keep every id
	primary, secondary []string
}

// getQuery reads a get call's common parameters, with the ids filters
// named, in the order their errors are reported.
func (c *call) getQuery(idFilters ...string) (getQuery, error) {
	var q getQuery
	if err := c.advertiser(); err != nil {
		return q, err
	}
	var err error
	if q.page, q.size, err = c.paging(10, 1000); err != nil {
		return q, err
	}
	if q.filter, err = c.filters(); err != nil {
		return q, err
	}
	if q.fields, _, err = c.list("fields"); err != nil {
		return q, err
	}
	q.ids = make(map[string]idFilter, len(idFilters))
	for _, name := range idFilters {
		set, given, err := q.filter.ids(name)
		if err != nil {
			return q, err
		}
		q.ids[name] = idFilter{set: set, given: given}
	}
	if q.primary, err = q.filter.statuses("primary_status"); err != nil {
		return q, err
	}
	if q.secondary, err = q.filter.statuses("secondary_status"); err != nil {
		return q, err
	}
	return q, nil
}

// keepStatus applies the query's status filters (see keepStatus).
func (q getQuery) keepStatus(secondary string) bool {
	return keepStatus(q.primary, q.secondary, secondary)
}

// pageAnswer is a get call's answer: the query's page of kept, each shown
// by view and cut to the fields asked for (id always kept).
func pageAnswer[T any](q getQuery, kept []T, view func(T) map[string]any, id string) map[string]any {
	lo, hi, info := pageOf(q.page, q.size, len(kept))
	list := make([]any, 0, hi-lo)
	for _, x := range kept[lo:hi] {
		list = append(list, project(view(x), q.fields, id))
	}
	return map[string]any{"list": list, "page_info": info}
}

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
