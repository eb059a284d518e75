/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 2ea962992979ac7d307f72f46c1728d53ad60eaa */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Psc_Http_Server___construct, 0, 0, 1)
	ZEND_ARG_TYPE_INFO(0, address, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Server_onRequest, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, handler, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Server_listen, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Http_Server_close arginfo_class_Psc_Http_Server_listen

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Server_getAddress, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Server_getPort, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_Psc_Http_Request___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Http_Request_getMethod arginfo_class_Psc_Http_Server_getAddress

#define arginfo_class_Psc_Http_Request_getTarget arginfo_class_Psc_Http_Server_getAddress

#define arginfo_class_Psc_Http_Request_getPath arginfo_class_Psc_Http_Server_getAddress

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Request_getQuery, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Request_getHeader, 0, 1, IS_STRING, 1)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Http_Request_getHeaders arginfo_class_Psc_Http_Request_getQuery

#define arginfo_class_Psc_Http_Request_getBody arginfo_class_Psc_Http_Server_getAddress

#define arginfo_class_Psc_Http_Request_getClientAddress arginfo_class_Psc_Http_Server_getAddress

#define arginfo_class_Psc_Http_Request_getClientPort arginfo_class_Psc_Http_Server_getPort

#define arginfo_class_Psc_Http_Request_getProtocolVersion arginfo_class_Psc_Http_Server_getAddress

#define arginfo_class_Psc_Http_Response___construct arginfo_class_Psc_Http_Request___construct

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Response_setStatus, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, code, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, reason, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Http_Response_getStatus arginfo_class_Psc_Http_Server_getPort

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Response_setHeader, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, value, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Http_Response_addHeader arginfo_class_Psc_Http_Response_setHeader

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Response_removeHeader, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Response_write, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, chunk, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Response_end, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, body, IS_STRING, 0, "\"\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Http_Response_isHeadersSent, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Http_Response_isEnded arginfo_class_Psc_Http_Response_isHeadersSent


ZEND_METHOD(Psc_Http_Server, __construct);
ZEND_METHOD(Psc_Http_Server, onRequest);
ZEND_METHOD(Psc_Http_Server, listen);
ZEND_METHOD(Psc_Http_Server, close);
ZEND_METHOD(Psc_Http_Server, getAddress);
ZEND_METHOD(Psc_Http_Server, getPort);
ZEND_METHOD(Psc_Http_Request, __construct);
ZEND_METHOD(Psc_Http_Request, getMethod);
ZEND_METHOD(Psc_Http_Request, getTarget);
ZEND_METHOD(Psc_Http_Request, getPath);
ZEND_METHOD(Psc_Http_Request, getQuery);
ZEND_METHOD(Psc_Http_Request, getHeader);
ZEND_METHOD(Psc_Http_Request, getHeaders);
ZEND_METHOD(Psc_Http_Request, getBody);
ZEND_METHOD(Psc_Http_Request, getClientAddress);
ZEND_METHOD(Psc_Http_Request, getClientPort);
ZEND_METHOD(Psc_Http_Request, getProtocolVersion);
ZEND_METHOD(Psc_Http_Response, __construct);
ZEND_METHOD(Psc_Http_Response, setStatus);
ZEND_METHOD(Psc_Http_Response, getStatus);
ZEND_METHOD(Psc_Http_Response, setHeader);
ZEND_METHOD(Psc_Http_Response, addHeader);
ZEND_METHOD(Psc_Http_Response, removeHeader);
ZEND_METHOD(Psc_Http_Response, write);
ZEND_METHOD(Psc_Http_Response, end);
ZEND_METHOD(Psc_Http_Response, isHeadersSent);
ZEND_METHOD(Psc_Http_Response, isEnded);


static const zend_function_entry class_Psc_Http_HttpException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_Psc_Http_Server_methods[] = {
	ZEND_ME(Psc_Http_Server, __construct, arginfo_class_Psc_Http_Server___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Server, onRequest, arginfo_class_Psc_Http_Server_onRequest, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Server, listen, arginfo_class_Psc_Http_Server_listen, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Server, close, arginfo_class_Psc_Http_Server_close, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Server, getAddress, arginfo_class_Psc_Http_Server_getAddress, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Server, getPort, arginfo_class_Psc_Http_Server_getPort, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_Psc_Http_Request_methods[] = {
	ZEND_ME(Psc_Http_Request, __construct, arginfo_class_Psc_Http_Request___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(Psc_Http_Request, getMethod, arginfo_class_Psc_Http_Request_getMethod, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getTarget, arginfo_class_Psc_Http_Request_getTarget, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getPath, arginfo_class_Psc_Http_Request_getPath, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getQuery, arginfo_class_Psc_Http_Request_getQuery, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getHeader, arginfo_class_Psc_Http_Request_getHeader, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getHeaders, arginfo_class_Psc_Http_Request_getHeaders, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getBody, arginfo_class_Psc_Http_Request_getBody, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getClientAddress, arginfo_class_Psc_Http_Request_getClientAddress, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getClientPort, arginfo_class_Psc_Http_Request_getClientPort, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Request, getProtocolVersion, arginfo_class_Psc_Http_Request_getProtocolVersion, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_Psc_Http_Response_methods[] = {
	ZEND_ME(Psc_Http_Response, __construct, arginfo_class_Psc_Http_Response___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(Psc_Http_Response, setStatus, arginfo_class_Psc_Http_Response_setStatus, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, getStatus, arginfo_class_Psc_Http_Response_getStatus, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, setHeader, arginfo_class_Psc_Http_Response_setHeader, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, addHeader, arginfo_class_Psc_Http_Response_addHeader, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, removeHeader, arginfo_class_Psc_Http_Response_removeHeader, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, write, arginfo_class_Psc_Http_Response_write, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, end, arginfo_class_Psc_Http_Response_end, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, isHeadersSent, arginfo_class_Psc_Http_Response_isHeadersSent, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Http_Response, isEnded, arginfo_class_Psc_Http_Response_isEnded, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Psc_Http_HttpException(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Http", "HttpException", class_Psc_Http_HttpException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}

static zend_class_entry *register_class_Psc_Http_Server(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Http", "Server", class_Psc_Http_Server_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_Psc_Http_Request(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Http", "Request", class_Psc_Http_Request_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_Psc_Http_Response(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Http", "Response", class_Psc_Http_Response_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}
