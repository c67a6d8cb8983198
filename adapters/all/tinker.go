package all

import _ "github.com/cookbookc/cookbookc/adapters/tinker" // training_client and sampling_client "tinker"
