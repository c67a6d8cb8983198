# A stage's directory sits in the run directory beside blobs/, superseded/
# and local/ (the local backend's checkpoints): run refused these names
# after compiling; check now says so. References to the stage still
# resolve (no cascade).
experiment "x" {
  stage "noop" "blobs" {}  # want: E105:16 | cannot be named "blobs"
  stage "noop" "local" {  # want: E105:16
    depends_on = [stage.blobs]
  }
  stage "noop" "superseded" {}  # want: E105:16
}
