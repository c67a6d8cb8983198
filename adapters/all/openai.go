package all

import _ "github.com/cookbookc/cookbookc/adapters/openai" // llm_client and embedding_client "openai"
