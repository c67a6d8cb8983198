package all

import _ "github.com/cookbookc/cookbookc/stdlib/stages/sft" // stage kind supervised_train
