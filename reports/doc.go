// Package reports is the domain vocabulary of reportd: the 财政项目支出绩效目标表
// (project expenditure performance-target form), its exact money and target
// types, validation, and the small interfaces adapters implement.
//
// reports imports no adapter. Importers (textform, jsonform, xlsx), layout and
// the PDF/XLSX backends, stores and the HTTP layer live in their own packages
// and import reports, never the reverse.
package reports
