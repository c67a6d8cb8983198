package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/sample" // stage kind sample
