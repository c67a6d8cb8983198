package all

import _ "github.com/cookbookc/cookbookc/adapters/files" // local dataset_store
