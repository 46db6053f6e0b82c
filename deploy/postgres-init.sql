-- One database per service: services never share tables.
CREATE DATABASE metadata;
CREATE DATABASE impact;
CREATE DATABASE registry;
