package family

import "github.com/reportd/reportd/reports"

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
