// Package formgen makes any number of varied, realistic forms from the sample
// forms, for tests and benchmarks of the year-end batch, the stores and the
// renderers.
//
// Generation is deterministic for a given seed: the same Options give the
// same forms, so a failing test or a benchmark can be reproduced. Forms are
// produced one at a time (an iterator), so generating 100,000 of them holds
// only one in memory.
package formgen
