// implemented by the common utilities work
