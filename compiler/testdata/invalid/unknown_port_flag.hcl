# option: manifest default
# option: port trainer=local
# want-cmdline: E501
experiment "x" {
  stage "noop" "a" {}
}
