# A template built with HCL interpolation cannot be mapped back to the
# source byte by byte: its errors point at the start of the string, not
# somewhere inside the interpolation.
locals {
  sys = "<s>"
}
renderer "r" {
  message "system" {
    template = "${local.sys}{{ contnt }}"  # want: E601:16 | Did you mean "content"?
  }
  message "assistant" {
    header = "A:"
    output = "{{ content }}${local.sys}{{ bogus }}"  # want: E601:14
  }
  stop = ["\n"]
}
experiment "x" {
  stage "noop" "a" {}
}
