package all

import _ "github.com/cookbookc/cookbookc/adapters/metrics/none" // metrics_sink "none"
