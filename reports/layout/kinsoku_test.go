package layout

import "testing"

func TestNoLineStart(t *testing.T) {
	tests := []struct {
		r      rune
		want   bool
		reason string
	}{
		{'，', true, "comma closes a clause"},
		{'。', true, "full stop"},
		{'、', true, "enumeration comma"},
		{'；', true, "semicolon"},
		{'：', true, "colon"},
		{'？', true, "question mark"},
		{'！', true, "exclamation mark"},
		{'）', true, "closing bracket"},
		{'》', true, "closing title mark"},
		{'」', true, "closing corner quote"},
		{'』', true, "closing double corner quote"},
		{'〕', true, "closing tortoise bracket"},
		{'】', true, "closing lenticular bracket"},
		{'”', true, "closing double quote"},
		{'’', true, "closing single quote"},
		{'…', true, "ellipsis stays with the text before"},
		{'—', true, "dash stays with the text before"},
		{',', true, "ASCII comma"},
		{')', true, "ASCII closing paren"},
		{'%', true, "percent belongs to its number"},
		{'（', false, "an opening bracket may begin a line"},
		{'“', false, "an opening quote may begin a line"},
		{'中', false, "ideograph"},
		{'A', false, "Latin letter"},
		{'1', false, "digit"},
	}
	for _, tt := range tests {
		if got := noLineStart(tt.r); got != tt.want {
			t.Errorf("noLineStart(%q) = %v, want %v: %s", tt.r, got, tt.want, tt.reason)
		}
	}
}

func TestNoLineEnd(t *testing.T) {
	tests := []struct {
		r      rune
		want   bool
		reason string
	}{
		{'（', true, "opening bracket belongs to what follows"},
		{'《', true, "opening title mark"},
		{'「', true, "opening corner quote"},
		{'『', true, "opening double corner quote"},
		{'〔', true, "opening tortoise bracket"},
		{'【', true, "opening lenticular bracket"},
		{'“', true, "opening double quote"},
		{'‘', true, "opening single quote"},
		{'(', true, "ASCII opening paren"},
		{'[', true, "ASCII opening bracket"},
		{'￥', true, "currency sign belongs to its amount"},
		{'）', false, "a closing bracket may end a line"},
		{'，', false, "a comma may end a line"},
		{'中', false, "ideograph"},
	}
	for _, tt := range tests {
		if got := noLineEnd(tt.r); got != tt.want {
			t.Errorf("noLineEnd(%q) = %v, want %v: %s", tt.r, got, tt.want, tt.reason)
		}
	}
}

func TestInseparable(t *testing.T) {
	tests := []struct {
		a, b   rune
		want   bool
		reason string
	}{
		{'—', '—', true, "—— is one two-em dash"},
		{'…', '…', true, "…… is one ellipsis"},
		{'⋯', '⋯', true, "⋯⋯ is one ellipsis (math axis form)"},
		{'—', '…', false, "different marks"},
		{'中', '中', false, "repeated ideographs may break"},
		{'-', '-', false, "ASCII hyphens are left to UAX #14"},
	}
	for _, tt := range tests {
		if got := inseparable(tt.a, tt.b); got != tt.want {
			t.Errorf("inseparable(%q, %q) = %v, want %v: %s", tt.a, tt.b, got, tt.want, tt.reason)
		}
	}
}

func TestIsExtend(t *testing.T) {
	tests := []struct {
		r      rune
		want   bool
		reason string
	}{
		{'\u0301', true, "combining acute accent"},
		{'\ufe0f', true, "variation selector 16"},
		{'\U000E0100', true, "ideographic variation selector"},
		{'\u200d', true, "zero width joiner"},
		{'a', false, "letter"},
		{'中', false, "ideograph"},
	}
	for _, tt := range tests {
		if got := isExtend(tt.r); got != tt.want {
			t.Errorf("isExtend(%q) = %v, want %v: %s", tt.r, got, tt.want, tt.reason)
		}
	}
}

func TestSuffixPlus(t *testing.T) {
	tests := []struct {
		b, c   rune
		want   bool
		reason string
	}{
		{'+', '、', true, "互联网+、: the plus ends the word before it"},
		{'+', 0, true, "a plus at the end of the text"},
		{'＋', '，', true, "full-width plus"},
		{'+', '8', false, "+86: a numeric prefix may start a line"},
		{'-', '、', false, "only the plus sign"},
	}
	for _, tt := range tests {
		if got := suffixPlus(tt.b, tt.c); got != tt.want {
			t.Errorf("suffixPlus(%q, %q) = %v, want %v: %s", tt.b, tt.c, got, tt.want, tt.reason)
		}
	}
}

func TestSqueezeEm(t *testing.T) {
	tests := []struct {
		a, b   rune
		want   float64
		reason string
	}{
		{'》', '（', 0.5, "closing title mark then opening bracket: the two blank halves meet"},
		{'。', '“', 0.5, "full stop then opening quote"},
		{'）', '。', 0.5, "closing bracket then full stop"},
		{'”', '，', 0.5, "closing quote then comma"},
		{'（', '《', 0.5, "two opening marks"},
		{'：', '“', 0.5, "colon then opening quote (指出：“…”)"},
		{'？', '”', 0, "question marks are centred in some fonts: left alone"},
		{'中', '（', 0, "an ideograph has no blank half"},
		{'，', '中', 0, "a comma before an ideograph keeps its em"},
		{'（', '中', 0, "an opening bracket before an ideograph keeps its em"},
		{')', '(', 0, "ASCII brackets are proportional"},
	}
	for _, tt := range tests {
		if got := squeezeEm(tt.a, tt.b, 1, 1); got != tt.want {
			t.Errorf("squeezeEm(%q, %q) = %g, want %g: %s", tt.a, tt.b, got, tt.want, tt.reason)
		}
	}
	if got := squeezeEm('》', '（', 0.5, 1); got != 0 {
		t.Errorf("a mark the font draws half-width is not squeezed again, got %g", got)
	}
}

func TestStretchable(t *testing.T) {
	tests := []struct {
		a, b   rune
		want   bool
		reason string
	}{
		{'中', '文', true, "between ideographs"},
		{'文', '2', true, "between an ideograph and a digit"},
		{'2', '0', false, "inside a number"},
		{'.', '5', false, "inside a decimal"},
		{'I', 'S', false, "inside a Latin word"},
		{'O', ' ', false, "a space is not widened (Latin words keep their spacing)"},
		{'，', '中', true, "after a comma"},
	}
	for _, tt := range tests {
		if got := stretchable(tt.a, tt.b); got != tt.want {
			t.Errorf("stretchable(%q, %q) = %v, want %v: %s", tt.a, tt.b, got, tt.want, tt.reason)
		}
	}
}
