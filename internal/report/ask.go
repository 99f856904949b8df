package report

import (
	"context"

	"github.com/flintads/flint/internal/model"
)

// Answer is a question's report with how the question was read.
type Answer struct {
	Interpretation Interpretation
	Report         *Report
}

// Ask parses a question for the advertiser and runs the report it asks
// for. A question that cannot be answered is a *QuestionError.
func (s *Service) Ask(ctx context.Context, adv model.Account, question string) (Answer, error) {
	channels, err := s.store.Channels(ctx, adv.ID)
	if err != nil {
		return Answer{}, err
	}
	campaigns, err := s.store.ListCampaigns(ctx, adv.ID)
	if err != nil {
		return Answer{}, err
	}
	q, in, err := ParseQuestion(question, QuestionContext{Now: s.clock.Now(), Location: zone(adv.Timezone), Own: s.own,
		Imported: channels, Campaigns: campaigns})
	if err != nil {
		return Answer{Interpretation: in}, err
	}
	rep, err := s.run(ctx, adv, q, q.Period, campaigns)
	if err == nil && q.Compare != nil {
		rep.Comparison, err = s.run(ctx, adv, q, *q.Compare, campaigns)
	}
	if err != nil {
		return Answer{}, err
	}
	return Answer{Interpretation: in, Report: rep}, nil
}
