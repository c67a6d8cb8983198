package all

import _ "github.com/cookbookc/cookbookc/adapters/fake" // test fakes for every port
