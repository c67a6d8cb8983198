# file_format = "auto" picks the format from the extension; .txt names
# none, which the run would only find out when the stage starts.
dataset "chat" {
  source = "rows.txt"  # want: E203:12 | set file_format to jsonl, json, csv or parquet
}
experiment "x" {
  stage "noop" "a" {
    value = dataset.chat
  }
}
