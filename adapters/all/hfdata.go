package all

import _ "github.com/cookbookc/cookbookc/adapters/hfdata" // dataset_store "hf"
