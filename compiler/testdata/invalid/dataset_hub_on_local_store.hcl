# option: manifest default
# The default manifest's dataset_store (local) reads files only: an
# hf:// source failed when the stage started. Without --manifest, check
# assumes nothing about hub sources (the recipe may be meant for dev).
dataset "chat" {
  source = "hf://org/chat"  # want: E505:12 | --port dataset_store=hf, or --manifest dev or prod
}
experiment "x" {
  stage "noop" "a" {
    value = dataset.chat
  }
}
