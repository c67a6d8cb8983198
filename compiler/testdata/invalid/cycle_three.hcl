experiment "x" {
  stage "noop" "a" {
    depends_on = [stage.c]
  }
  stage "noop" "b" {
    depends_on = [stage.a]  # want: E302:19 | stage.a -> stage.c -> stage.b -> stage.a
  }
  stage "noop" "c" {
    value = stage.b.value
  }
  stage "noop" "d" {
    value = stage.c.value
  }
}
