package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/dpotrain" // stage kind dpo_train
