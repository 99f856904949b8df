package apperr

import "errors"

// List collects the errors of one input's fields, so that a check can look
// at every field and report them all at once (a form shows each next to its
// field) instead of stopping at the first. It keeps the first error about
// each field.
//
//	var errs apperr.List
//	errs.Add(checkName("name", in.Name))
//	errs.Add(checkBid("bid", in.Bid))
//	return errs.Err()
type List struct {
	errs  []*Error
	other error
}

// Add records err. A nil err is ignored; an *Error (with the errors in its
// Also) is kept unless an error about the same field is kept already. Any
// other error is a failure to check, not a verdict on the input: Err then
// returns it.
func (l *List) Add(err error) {
	if err == nil {
		return
	}
	e, ok := As(err)
	if !ok {
		l.other = errors.Join(l.other, err)
		return
	}
	for _, x := range e.All() {
		if !l.has(x.Field) {
			c := *x
			c.Also = nil
			l.errs = append(l.errs, &c)
		}
	}
}

// has reports whether an error about field is kept already; errors that
// name no field are all kept.
func (l *List) has(field string) bool {
	if field == "" {
		return false
	}
	for _, e := range l.errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Has reports whether an error about field was recorded.
func (l *List) Has(field string) bool { return l.has(field) }

// Len is the number of errors recorded.
func (l *List) Len() int { return len(l.errs) }

// Err returns nil when nothing was recorded; a failure to check when one
// was; else the first error, with the others in its Also. The first error's
// kind and code stand for the whole input.
func (l *List) Err() error {
	if l.other != nil {
		return l.other
	}
	if len(l.errs) == 0 {
		return nil
	}
	first := *l.errs[0]
	first.Also = append([]*Error(nil), l.errs[1:]...)
	return &first
}
