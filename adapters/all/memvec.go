package all

import _ "github.com/cookbookc/cookbookc/adapters/memvec" // vector_store "memory"
