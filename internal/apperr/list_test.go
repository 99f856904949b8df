package apperr

import (
	"errors"
	"testing"
)

func TestList(t *testing.T) {
	var none List
	if err := none.Err(); err != nil {
		t.Fatalf("an empty list: %v", err)
	}

	var l List
	l.Add(nil)
	l.Add(Missing("name"))
	l.Add(Invalidf("budget", "budget must be a decimal amount"))
	l.Add(Invalidf("name", "a second error about name is dropped"))
	l.Add(New(Unprocessable, "RULE", "a rule that names no field"))
	e, ok := As(l.Err())
	if !ok {
		t.Fatalf("Err() = %v, want an *Error", l.Err())
	}
	if e.Field != "name" || e.Code != CodeMissingField || e.Kind != Invalid {
		t.Errorf("the first error is %+v, want the missing name", e)
	}
	var fields []string
	for _, x := range e.All() {
		fields = append(fields, x.Field)
	}
	if len(fields) != 3 || fields[0] != "name" || fields[1] != "budget" || fields[2] != "" {
		t.Errorf("the errors are about %q, want name, budget and the rule", fields)
	}
	if !l.Has("budget") || l.Has("bid") || l.Len() != 3 {
		t.Errorf("Has/Len: %v %v %d", l.Has("budget"), l.Has("bid"), l.Len())
	}

	// A list added to another is flattened, and kept once per field.
	var outer List
	outer.Add(Invalidf("budget", "first about budget"))
	outer.Add(l.Err())
	oe, _ := As(outer.Err())
	if got := len(oe.All()); got != 3 || oe.Message != "first about budget" {
		t.Errorf("the outer list holds %d errors, first %q", got, oe.Message)
	}

	// A failure to check wins over verdicts on the input.
	down := errors.New("database down")
	l.Add(down)
	if err := l.Err(); !errors.Is(err, down) {
		t.Errorf("with a failure recorded Err() = %v", err)
	}
}

func TestEveryKindHasItsOwnHTTPStatus(t *testing.T) {
	seen := map[int]Kind{}
	for k := Invalid; k <= MethodNotAllowed; k++ {
		s := k.HTTPStatus()
		if s < 400 || s > 599 {
			t.Errorf("kind %d: status %d", k, s)
		}
		if prev, dup := seen[s]; dup {
			t.Errorf("kinds %d and %d share status %d", prev, k, s)
		}
		seen[s] = k
	}
	if s := Kind(0).HTTPStatus(); s != 400 {
		t.Errorf("a kind without a status answers %d, want 400", s)
	}
}
