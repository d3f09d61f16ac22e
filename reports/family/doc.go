// Package family reads form families: the declarative description of one
// issuer's 绩效目标表 (title, header fields with labels and synonyms, fund
// rows and their money unit, indicator columns, level vocabulary, page setup
// and the printed table structure). Families live in JSON files under
// templates/families (embedded in the binary) and in an optional site
// directory, so a new layout needs a new file, not new code.
//
// The format, by example (templates/families/shanghai-2020.json is the
// reference):
//
//	{
//	  "name": "shanghai-2020",                  // file name without .json
//	  "title": "财政项目支出绩效目标表",
//	  "subtitle": "({year}年度)",               // {key} is Form.Get(key)
//	  "header": ["申报单位名称：{unit}"],        // lines above the table
//	  "fields": [{"key": "project", "label": "项目名称", "synonyms": [...],
//	              "type": "text|longtext|date|period|money|year|choice",
//	              "options": [...], "required": true}],
//	  "funds": {"unit": "元", "rows": ["funds.total", ...]},
//	  "indicators": {"columns": [{"key": "level1", "label": "一级目标",
//	                 "synonyms": ["一级指标"], "span": 1, "merge": true}]},
//	  "vocabulary": {"level1": [...], "level2": {"产出指标": [...]}},
//	  "page": {"top_mm": 37, ...},
//	  "table": {"columns": [21, 29, 21, 29], "sections": [
//	    {"rows": [{"cells": [{"label": "project"}, {"value": "project"}, ...]}]},
//	    {"heading": "本项目上年度市级财政资金使用情况", "heading_field": "funds_heading",
//	     "rows": [...]},
//	    {"heading": "{year}年绩效目标", "heading_field": "targets_heading",
//	     "indicators": true}]}
//	}
//
// Field keys are those of reports.Form.Get/Set ("project", "funds.total") or
// "extra.NAME" for a field only this family has. A cell is a label (the
// field's label, or literal "text") or a value; "span" counts grid columns.
package family
