package all

import _ "github.com/cookbookc/cookbookc/adapters/s3" // blob_store "s3"
