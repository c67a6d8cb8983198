package all

import _ "github.com/cookbookc/cookbookc/adapters/blob/local" // blob_store "local"
