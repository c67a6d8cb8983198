variable "seed" {  # want: W100:1
  default = 1
}
experiment "x" {
  stage "noop" "a" {}
}
