package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/noop" // stage kind noop
