// Package evaluation turns a stored target form and what the project
// achieved (reports.Actuals) into the year's other documents: the
// 绩效自评表 with its score and the 绩效运行监控表. It picks the rules and
// layouts from the form's family (scoring weights, the companion family of
// each kind), derives the printable form the renderers lay out, and reads
// actuals back from a derived form (a pre-filled workbook a clerk edited).
// The scoring itself is reports.Evaluate.
package evaluation
