"""The federation portal: pages for people, rendered on the server from the gateway's API."""
