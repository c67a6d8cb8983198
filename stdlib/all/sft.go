package all

import (
	_ "github.com/cookbookc/cookbookc/stdlib/stages/evaluate" // evaluate
	_ "github.com/cookbookc/cookbookc/stdlib/stages/sample"   // sample
	_ "github.com/cookbookc/cookbookc/stdlib/stages/sft"      // supervised_train
)
