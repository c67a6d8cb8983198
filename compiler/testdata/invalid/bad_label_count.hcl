experiment "x" {
  stage "noop" {}  # want: E105:16 | A stage block needs 2 labels, its kind and its name: stage "KIND" "NAME" { ... }.
}
