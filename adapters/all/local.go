package all

import _ "github.com/cookbookc/cookbookc/adapters/local"
