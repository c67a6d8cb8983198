package catalog

import "github.com/cookbookc/cookbookc/lang/schema"

// datasetFields is the schema of a `dataset` block (SPEC.md §2.3): part
// of the language itself, so the compiler owns it.
func datasetFields() []schema.Field {
	return []schema.Field{
		{Name: "source", Type: schema.String, Required: true, Doc: "Where the rows come from: a path or file:// URI relative to the recipe, or a hub dataset hf://ORG/NAME[@REVISION][#SUBSET]."},
		{Name: "format", Type: schema.String, Default: "auto", Enum: []string{"auto", "messages", "prompt_completion", "instruction", "input_output", "comparison", "question_answer"}, Doc: "Row format; \"auto\" detects it from the first row."},
		{Name: "file_format", Type: schema.String, Default: "auto", Enum: []string{"auto", "jsonl", "json", "csv", "parquet"}, Doc: "File format; \"auto\" uses the file extension."},
		{Name: "split", Type: schema.String, Default: "train", Doc: "Split to read from a hub dataset: the files whose names say it (train, test, validation, ...)."},
		{Name: "test_fraction", Type: schema.Number, Min: schema.AtLeast(0), Max: schema.Below(1), Doc: "Hold out this fraction of rows as the test split."},
		{Name: "test_size", Type: schema.Int, Min: schema.AtLeast(0), Doc: "Hold out this many rows as the test split."},
		{Name: "shuffle_seed", Type: schema.Int, Default: int64(0), Doc: "Seed of the shuffle before the split and of each epoch's order."},
		{Name: "limit", Type: schema.Int, Min: schema.AtLeast(0), Doc: "Use only the first N rows."},
		{Name: "skip_bad_rows", Type: schema.Bool, Default: false, Doc: "Skip malformed rows (the run reports how many) instead of failing."},
		{Name: "max_row_bytes", Type: schema.Int, Min: schema.AtLeast(1), Doc: "Largest row read, in bytes (a line, an array element, a CSV record); a larger row is a bad row. Default 8 MiB (8388608)."},
	}
}
