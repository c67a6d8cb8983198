package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/evaluate" // stage kind evaluate
