package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/rltrain" // stage kind rl_train
