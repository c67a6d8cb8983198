# option: experiment sft2
# want-cmdline: E401
experiment "sft" {
  stage "noop" "a" {}
}
