import streamlit as st

st.title("incident-kit")
st.write("Declare incidents freely, keep everyone updated, and learn afterwards.")
