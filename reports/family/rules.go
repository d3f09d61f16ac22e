package family

import (
	"encoding/json"
	"math/big"

	"github.com/reportd/reportd/reports"
)

// Rules returns the validation rules the family declares: its required
// fields, the types of its typed fields, choice options, the money unit of
// its fund rows and its level vocabulary.
func (f *Family) Rules() reports.Rules {
	r := reports.Rules{
		Types:      map[string]string{},
		Options:    map[string][]string{},
		MoneyUnit:  f.Funds.Unit,
		Vocabulary: f.Vocabulary(),
	}
	r.Labels = map[string]string{}
	for _, c := range f.Indicators.Columns {
		r.Columns = append(r.Columns, c.Key)
		r.Labels[c.Key] = c.Label
	}
	for _, fd := range f.Fields {
		r.Labels[fd.Key] = fd.Label
		if fd.Required {
			r.Required = append(r.Required, fd.Key)
		}
		switch fd.Type {
		case TypeDate, TypePeriod, TypeMoney, TypeYear, TypeChoice:
			r.Types[fd.Key] = fd.Type
		}
		if len(fd.Options) > 0 {
			r.Options[fd.Key] = fd.Options
		}
	}
	return r
}

// ScoringRules returns the scoring rule of a target form's family: its
// declared budget points and weights, else the 财政部 defaults. print is
// the self-evaluation family the scores are printed with (nil: this one),
// which decides the decimals.
func (f *Family) ScoringRules(print *Family) reports.ScoringRules {
	r := reports.DefaultScoring
	if s := f.Scoring; s != nil {
		if v, ok := rat(s.BudgetPoints); ok {
			r.BudgetPoints = v
		}
		if len(s.Weights) > 0 {
			r.Weights = make([]reports.Weight, 0, len(s.Weights))
			for _, w := range s.Weights {
				p, _ := rat(w.Points)
				if p == nil {
					p = new(big.Rat)
				}
				r.Weights = append(r.Weights, reports.Weight{Level1: w.Level1, Points: p})
			}
		}
		if v, ok := rat(s.ReviewAbovePercent); ok {
			r.ReviewAbove = v.Quo(v, big.NewRat(100, 1))
		}
		if s.Decimals != 0 {
			r.Decimals = s.Decimals
		}
	}
	if print != nil && print.Scoring != nil && print.Scoring.Decimals != 0 {
		r.Decimals = print.Scoring.Decimals
	}
	return r
}

// rat reads a checked decimal (Parse refused anything else).
func rat(n json.Number) (*big.Rat, bool) {
	if n == "" {
		return nil, false
	}
	return new(big.Rat).SetString(string(n))
}
