# The source names a directory: the run would fail when the stage opens
# it, after creating a run directory. check says so at the source.
dataset "chat" {
  source = "data_dir"  # want: E702:12 | data_dir is a directory
}
experiment "x" {
  stage "noop" "a" {
    value = dataset.chat
  }
}
