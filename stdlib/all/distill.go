package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/distill" // stage kind distill
