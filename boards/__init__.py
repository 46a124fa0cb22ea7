"""Host link and board support: protocol, UART, frame engine, top level, host driver."""
