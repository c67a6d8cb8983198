# option: manifest prdo
# want-cmdline: E500
experiment "x" {
  stage "noop" "a" {}
}
