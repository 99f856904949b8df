package event

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tracking"
)

// fakeStore stores events in memory, or fails.
type fakeStore struct {
	mu      sync.Mutex
	fail    bool
	calls   int
	ids     map[string]bool
	once    map[string]bool
	stored  []model.Event
	poison  string        // an event ID the database refuses as unstorable
	release chan struct{} // when set, InsertEvents waits for it
}

func (s *fakeStore) InsertEvents(ctx context.Context, events []model.Event) ([]model.EventOutcome, error) {
	if s.release != nil {
		<-s.release
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail {
		return nil, errors.New("disk on fire")
	}
	for _, e := range events {
		if s.poison != "" && e.ID == s.poison {
			return nil, fmt.Errorf("%w: invalid byte sequence", store.ErrUnstorable)
		}
	}
	out := make([]model.EventOutcome, len(events))
	for i, e := range events {
		switch {
		case s.ids[e.ID]:
			out[i] = model.EventDuplicate
		case e.OnceKey != nil && s.once[string(e.OnceKey)]:
			out[i] = model.EventReplayed
		default:
			s.ids[e.ID] = true
			s.stored = append(s.stored, e)
			if e.OnceKey != nil {
				s.once[string(e.OnceKey)] = true
			}
			out[i] = model.EventStored
		}
	}
	return out, nil
}

func (s *fakeStore) ProbeWrite(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("disk on fire")
	}
	return nil
}

func (s *fakeStore) ExistingPosts(ctx context.Context, ids []string) (map[string]bool, error) {
	return map[string]bool{"post_1": true}, nil
}

// fakeDelivery knows one CPM ad and keeps a running total of charges.
type fakeDelivery struct {
	mu      sync.Mutex
	charged money.Micros
}

func (d *fakeDelivery) Ad(id string) (delivery.AdInfo, bool) {
	return delivery.AdInfo{AdID: id, PostID: "post_1", Billing: model.BillCPM}, id == "ad_1"
}

func (d *fakeDelivery) ChargeBilling(adID string, issued time.Time, price money.Micros) delivery.Charge {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.charged += price
	return delivery.Charge{Amount: price}
}

func (d *fakeDelivery) Undo(c delivery.Charge) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.charged -= c.Amount
}

func (d *fakeDelivery) Observe(string, model.EventType) {}

func (d *fakeDelivery) Node() string { return "" }

func (d *fakeDelivery) BudgetsOf(string, time.Time) [2]model.BudgetPeriod {
	return [2]model.BudgetPeriod{}
}

func setup(t *testing.T) (*Ingestor, *fakeStore, *fakeDelivery, *tracking.Signer) {
	t.Helper()
	st := &fakeStore{ids: map[string]bool{}, once: map[string]bool{}}
	d := &fakeDelivery{}
	signer := tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	in := New(st, clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)), signer, d)
	t.Cleanup(in.Close)
	return in, st, d, signer
}

func token(s *tracking.Signer, decision string) string {
	c := tracking.Claims{DecisionID: decision, AdID: "ad_1", PostID: "post_1", ViewerID: "v", Billing: model.BillCPM,
		Price: 4_000, IssuedAt: time.Now()}
	return s.Sign(&c)
}

func TestChargesOnlyStoredBillingEvents(t *testing.T) {
	in, _, d, s := setup(t)
	tok := token(s, "dec_1")
	res, err := in.Ingest(context.Background(), []Input{
		{EventID: "a", Type: "impression", Token: tok}, // billing event: charged
		{EventID: "b", Type: "like", Token: tok},       // not billing
		{EventID: "c", Type: "impression", Token: tok}, // replay: not charged
		{EventID: "a", Type: "impression", Token: tok}, // duplicate: not charged
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Duplicates != 1 || len(res.Rejected) != 1 || res.Rejected[0].Err.Code != CodeTokenReplayed {
		t.Fatalf("result %+v", res)
	}
	if d.charged != 4_000 {
		t.Fatalf("charged %d, want one impression at 4000", d.charged)
	}
}

// TestStoreFailureUndoesChargesAndReportsIt: when storage fails, a batch
// is answered "unavailable, retry" (503 with Retry-After), nothing is
// charged, and the ingestor is not ready until a write works again.
func TestStoreFailureUndoesChargesAndReportsIt(t *testing.T) {
	in, st, d, s := setup(t)
	ctx := context.Background()
	st.mu.Lock()
	st.fail = true
	st.mu.Unlock()
	_, err := in.Ingest(ctx, []Input{{EventID: "a", Type: "impression", Token: token(s, "dec_1")}})
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Unavailable || e.Code != apperr.CodeStorageDown || e.RetryAfter <= 0 {
		t.Fatalf("a failed store answered %v, want STORAGE_UNAVAILABLE with a Retry-After", err)
	}
	if d.charged != 0 {
		t.Fatalf("charged %d for events that were not stored", d.charged)
	}
	if in.Ready(ctx) == nil {
		t.Fatal("ready while event writes fail")
	}
	st.mu.Lock()
	st.fail = false
	st.mu.Unlock()
	if err := in.Ready(ctx); err != nil {
		t.Fatalf("not ready after the store recovered: %v", err)
	}
	if res, err := in.Ingest(ctx, []Input{{EventID: "a", Type: "impression", Token: token(s, "dec_1")}}); err != nil ||
		res.Accepted != 1 {
		t.Fatalf("after recovery: %+v %v", res, err)
	}
}

// TestOneBadBatchFailsAlone: batches that share a transaction with a
// batch the database refuses are stored all the same; only the refused one
// fails, as the caller's fault.
func TestOneBadBatchFailsAlone(t *testing.T) {
	in, st, d, s := setup(t)
	st.release = make(chan struct{})
	st.poison = "bad-event"
	var wg sync.WaitGroup
	errs := make([]error, 8)
	results := make([]Result, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("e%d", i)
			if i == 3 {
				id = "bad-event"
			}
			results[i], errs[i] = in.Ingest(context.Background(), []Input{{EventID: id, Type: "impression",
				Token: token(s, fmt.Sprintf("dec_%d", i))}})
		}()
	}
	time.Sleep(100 * time.Millisecond) // the batches pile up behind the first transaction
	close(st.release)
	wg.Wait()
	for i, err := range errs {
		if i == 3 {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Code != CodeUnstorable {
				t.Errorf("the bad batch answered %v, want %s", err, CodeUnstorable)
			}
			continue
		}
		if err != nil || results[i].Accepted != 1 {
			t.Errorf("batch %d, sharing a transaction with a bad one: %+v %v", i, results[i], err)
		}
	}
	if d.charged != 7*4_000 {
		t.Errorf("charged %d, want the 7 stored impressions", d.charged)
	}
	if err := in.Ready(context.Background()); err != nil {
		t.Errorf("one caller's bad input made the ingestor unready: %v", err)
	}
}

func TestConcurrentBatchesShareTransactions(t *testing.T) {
	in, st, _, s := setup(t)
	st.release = make(chan struct{})
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := token(s, "dec_"+string(rune('a'+i)))
			res, err := in.Ingest(context.Background(), []Input{{EventID: "e" + string(rune('a'+i)), Type: "comment", Token: tok}})
			if err != nil || res.Accepted != 1 {
				t.Errorf("batch %d: %+v %v", i, res, err)
			}
		}()
	}
	// Let the batches pile up behind the first transaction, then release.
	time.Sleep(100 * time.Millisecond)
	close(st.release)
	wg.Wait()
	if st.calls >= 10 || st.calls < 1 {
		t.Fatalf("%d transactions for 10 concurrent batches; group commit should merge them", st.calls)
	}
}

func TestRejectsBadEvents(t *testing.T) {
	in, _, _, s := setup(t)
	other := tracking.NewSigner([]byte("another secret, another secret!!"), time.Hour)
	expired := tracking.Claims{DecisionID: "d", AdID: "ad_1", PostID: "post_1", Billing: model.BillCPM,
		IssuedAt: time.Now().Add(-2 * time.Hour)}
	unknownAd := tracking.Claims{DecisionID: "d", AdID: "ad_2", PostID: "post_1", Billing: model.BillCPM, IssuedAt: time.Now()}
	neg := int64(-1)
	cases := map[string]struct {
		in   Input
		code string
	}{
		"no id":          {Input{Type: "like", PostID: "post_1"}, "MISSING_FIELD"},
		"control char":   {Input{EventID: "a\nb", Type: "like", PostID: "post_1"}, "INVALID_VALUE"},
		"no type":        {Input{EventID: "x1", PostID: "post_1"}, "MISSING_FIELD"},
		"bad type":       {Input{EventID: "x2", Type: "wave", PostID: "post_1"}, "INVALID_VALUE"},
		"both":           {Input{EventID: "x3", Type: "like", PostID: "post_1", Token: token(s, "d")}, "INVALID_VALUE"},
		"neither":        {Input{EventID: "x4", Type: "like"}, "MISSING_FIELD"},
		"forged":         {Input{EventID: "x5", Type: "like", Token: token(other, "d")}, CodeTokenInvalid},
		"expired":        {Input{EventID: "x6", Type: "like", Token: s.Sign(&expired)}, CodeTokenExpired},
		"unknown ad":     {Input{EventID: "x7", Type: "like", Token: s.Sign(&unknownAd)}, CodeAdNotFound},
		"unknown post":   {Input{EventID: "x8", Type: "like", PostID: "post_2"}, CodePostNotFound},
		"negative watch": {Input{EventID: "x9", Type: "complete", PostID: "post_1", WatchMS: &neg}, "INVALID_VALUE"},
		"old":            {Input{EventID: "xa", Type: "like", PostID: "post_1", At: "2020-01-01T00:00:00Z"}, "INVALID_VALUE"},
		"bad time":       {Input{EventID: "xb", Type: "like", PostID: "post_1", At: "yesterday"}, "INVALID_VALUE"},
	}
	for name, c := range cases {
		res, err := in.Ingest(context.Background(), []Input{c.in})
		if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Err.Code != c.code || res.Accepted != 0 {
			t.Errorf("%s: %+v %v, want rejected with %s", name, res, err, c.code)
		}
	}
	if _, err := in.Ingest(context.Background(), make([]Input, MaxBatch+1)); err == nil {
		t.Error("an oversized batch must be refused")
	}
}

// TestEventTimeFollowsTheDecision: an ad event's at may not precede the
// decision that issued its token, nor lie in the future; the event carries
// the decision's time, which budgets count spend by.
func TestEventTimeFollowsTheDecision(t *testing.T) {
	t.Parallel()
	in, st, _, s := setup(t)
	decided := time.Now().Add(-30 * time.Minute).UTC().Truncate(time.Microsecond)
	c := tracking.Claims{DecisionID: "dec_t", AdID: "ad_1", PostID: "post_1", ViewerID: "v", Billing: model.BillCPM,
		Price: 4_000, IssuedAt: decided}
	tok := s.Sign(&c)
	for name, tc := range map[string]struct {
		at      string
		message string
	}{
		"before the decision": {decided.Add(-time.Minute).Format(time.RFC3339Nano), "may not precede the decision"},
		"in the future":       {time.Now().Add(10 * time.Minute).Format(time.RFC3339Nano), "in the future"},
	} {
		res, err := in.Ingest(context.Background(), []Input{{EventID: "t-" + name, Type: "impression", Token: tok, At: tc.at}})
		if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Err.Field != "at" ||
			!strings.Contains(res.Rejected[0].Err.Message, tc.message) {
			t.Errorf("%s: %+v %v, want at rejected saying %q", name, res, err, tc.message)
		}
	}
	at := decided.Add(time.Second)
	res, err := in.Ingest(context.Background(), []Input{{EventID: "t-ok", Type: "impression", Token: tok,
		At: at.Format(time.RFC3339Nano)}})
	if err != nil || res.Accepted != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if e := st.stored[len(st.stored)-1]; !e.At.Equal(at) || !e.DecidedAt.Equal(decided) {
		t.Fatalf("stored at %s decided %s, want %s and %s", e.At, e.DecidedAt, at, decided)
	}
}
