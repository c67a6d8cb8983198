package all

import _ "github.com/cookbookc/cookbookc/adapters/hf" // hub_client "hf"
